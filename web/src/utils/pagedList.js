// A paged list read from the API for a staff page: the page number kept in the route's
// query (`?page=`), and a load that shows only the answer to the latest request.
import { computed, ref } from 'vue'

/** `page` (1-based) in the route's query; setting it to 1 drops it from the URL. */
export function useQueryPage(route, router) {
  return computed({
    get: () => Math.max(1, Number(route.query.page) || 1),
    set: (p) => router.replace({ query: { ...route.query, page: p > 1 ? String(p) : undefined } }),
  })
}

/** `fetch()` answers { items, total }; an older answer that arrives late is dropped,
 * and a failed load shows an empty list. */
export function usePagedList(fetch) {
  const items = ref([])
  const total = ref(0)
  const loading = ref(false)
  let seq = 0
  async function load() {
    const my = ++seq
    loading.value = true
    try {
      const res = await fetch()
      if (my !== seq) return
      items.value = res?.items || []
      total.value = res?.total || 0
    } catch {
      if (my === seq) {
        items.value = []
        total.value = 0
      }
    } finally {
      if (my === seq) loading.value = false
    }
  }
  return { items, total, loading, load }
}
