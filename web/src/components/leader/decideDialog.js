// What a leader's decision dialog (责任认定, 延期审批) does around its own form: it is open
// while v-model holds the record, starts blank each time, validates, posts, and tells the
// page to reload — also when someone else decided first (409) or the record is gone (404).
import { computed, watch } from 'vue'
import { ElMessage } from 'element-plus'
import { useSubmit } from '../../utils/fieldErrors.js'

/**
 * useDecideDialog(props, emit, formRef, { clear, take }, reset) → { visible, busy, decide }.
 * reset() blanks the form when a record comes in; decide(post, message) validates the
 * form, awaits post(), shows `message` and closes with `done`.
 */
export function useDecideDialog(props, emit, formRef, { clear, take }, reset) {
  const visible = computed({
    get: () => !!props.modelValue,
    set: (v) => {
      if (!v) emit('update:modelValue', null)
    },
  })
  watch(
    () => props.modelValue,
    (v) => {
      if (!v) return
      reset()
      clear()
      formRef.value?.clearValidate()
    },
  )
  const { busy, send } = useSubmit({
    clear,
    take: (err) => {
      take(err)
      // decided by someone else meanwhile: the lists must show it
      if (err && (err.status === 409 || err.status === 404)) emit('done', null)
    },
  })
  async function decide(post, message) {
    clear()
    if (!(await formRef.value.validate().catch(() => false))) return
    await send(async () => {
      const res = await post()
      ElMessage({ type: 'success', message, grouping: true })
      emit('update:modelValue', null)
      emit('done', res)
    })
  }
  return { visible, busy, decide }
}
