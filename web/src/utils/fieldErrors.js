// Server-side field errors shown under the form item that caused them.
import { computed, reactive, ref } from 'vue'
import { ApiError, errorText, showError } from '../api.js'
import { t } from '../i18n.js'

/**
 * useFieldErrors(labels?) → { errors, clear, take(err), label(field) }.
 *
 * labels: the form's own labels for API field names, as message keys or functions,
 *   e.g. { name: 'staff.name', password: () => t(editing ? 'staff.newPassword' : 'staff.password') };
 *   fields not listed use `fields.<name>` from the locale.
 * Bind `:error="errors.code"` on <el-form-item>; call take(err) in a catch: when the API
 * named a field, the localized message goes under it (and follows a language switch).
 * take() also shows the error as a toast, with the form's labels, unless the api client
 * already did (make the form's requests with { quiet: true } so it does not);
 * take(err, { toast: false }) leaves the toast out when the error names a field (it is
 * shown under that field only).
 */
export function useFieldErrors(labels = {}) {
  const errors = reactive({})
  function label(field) {
    const l = labels[field]
    if (!l) return null
    return typeof l === 'function' ? l() : t(l)
  }
  function clear() {
    for (const k of Object.keys(errors)) delete errors[k]
  }
  function take(err, { toast = true } = {}) {
    clear()
    if (!(err instanceof ApiError)) return
    // a ref inside reactive() is unwrapped: errors[field] reads as the current text
    if (err.field) errors[err.field] = computed(() => errorText(err, { label }))
    if (!err.shown && (toast || !err.field)) showError(err, { label })
  }
  return { errors, clear, take, label }
}

/**
 * useSubmit({ clear, take }) → { busy, send(fn) }: a form's one request at a time.
 * send clears the field errors, runs fn (which makes the request and acts on the answer)
 * while `busy`, and hands a failure to take(); it answers fn's result, or undefined when
 * it failed or a request was already under way.
 */
export function useSubmit({ clear, take }) {
  const busy = ref(false)
  async function send(fn) {
    if (busy.value) return undefined
    clear()
    busy.value = true
    try {
      return await fn()
    } catch (err) {
      take(err)
      return undefined
    } finally {
      busy.value = false
    }
  }
  return { busy, send }
}
