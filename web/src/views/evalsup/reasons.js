// The caller's region's 差评 reasons (GET /api/eval-reasons), read once per page load
// and shared by the supervision pages, to show a code as its label in the user's language.
import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { api } from '../../api.js'
import { reasonLabel } from '../../utils/evalAdmin.js'

const reasons = ref([])
let loading = null

function load() {
  if (!loading) {
    loading = api
      .get('/api/eval-reasons', null, { quiet: true })
      .then((res) => {
        reasons.value = res?.items || []
      })
      .catch(() => {
        loading = null // try again next time
      })
  }
  return loading
}

/** { reasons, label(code), labels(codes) → 'a、b' }. */
export function useReasons() {
  const { locale } = useI18n()
  load()
  const label = (code) => reasonLabel(reasons.value, code, locale.value)
  const labels = (codes) => (Array.isArray(codes) && codes.length ? codes.map(label).join(locale.value === 'en' ? ', ' : '、') : '—')
  return { reasons, label, labels }
}
