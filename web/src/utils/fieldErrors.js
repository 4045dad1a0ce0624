// Server-side field errors shown under the form item that caused them.
import { reactive } from 'vue'
import { ApiError } from '../api.js'

/**
 * Returns { errors, clear, take(err) }. Bind `:error="errors.code"` on <el-form-item>;
 * call take(err) in a catch: when the API named a field, its message goes there.
 */
export function useFieldErrors() {
  const errors = reactive({})
  function clear() {
    for (const k of Object.keys(errors)) delete errors[k]
  }
  function take(err) {
    clear()
    if (err instanceof ApiError && err.field) errors[err.field] = err.message || err.code
  }
  return { errors, clear, take }
}
