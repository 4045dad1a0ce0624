// Org tree helpers: building the tree from flat nodes, allowed child kinds.

/** Kinds a new child of a node of `kind` may have (docs/api.md). */
export const CHILD_KINDS = {
  region: ['region', 'unit', 'hall'],
  unit: ['unit', 'hall'],
  hall: ['window'],
  window: [],
}

export function childKinds(kind) {
  return CHILD_KINDS[kind] || []
}

/**
 * Flat nodes (ordered by path) → { roots, byId }. Each tree item is the node plus
 * `children`. A node whose parent is outside the caller's scope becomes a root.
 */
export function buildTree(nodes) {
  const byId = new Map()
  for (const n of nodes) byId.set(n.id, { ...n, children: [] })
  const roots = []
  for (const n of byId.values()) {
    const parent = n.parent_id != null ? byId.get(n.parent_id) : null
    if (parent) parent.children.push(n)
    else roots.push(n)
  }
  const sort = (list) => {
    list.sort(compareNodes)
    for (const n of list) sort(n.children)
  }
  sort(roots)
  return { roots, byId }
}

const KIND_RANK = { region: 0, unit: 1, hall: 2, window: 3 }

/** Sibling order: by kind (region, unit, hall, window), then code (w2 before w10). */
export function compareNodes(a, b) {
  const k = (KIND_RANK[a.kind] ?? 9) - (KIND_RANK[b.kind] ?? 9)
  if (k) return k
  return String(a.code).localeCompare(String(b.code), 'en', { numeric: true })
}

/** The chain of ancestors (root first) of `id` that are in `byId`, itself included. */
export function ancestry(byId, id) {
  const chain = []
  let cur = byId.get(id)
  const seen = new Set()
  while (cur && !seen.has(cur.id)) {
    seen.add(cur.id)
    chain.unshift(cur)
    cur = cur.parent_id != null ? byId.get(cur.parent_id) : null
  }
  return chain
}
