// The side menu of the signed-in layout, and the routes behind it.
//
// Each top-level entry is a group (a submenu) or a page; a page has
//   key       unique name, also the route name
//   path      hash route, e.g. '/admin/org'
//   titleKey  message key of its title (locales/*.js)
//   icon      an @element-plus/icons-vue component
//   roles     who sees it and may open it (admin, leader, supervisor, staff)
//   component () => import('./views/…') — loaded on first visit
//   props     (optional) props given to the page's component
//   hidden    (optional) a route inside the layout with no menu entry of its own (an
//             item's page); activeMenu names the entry highlighted while it is open
//   landing   (optional) the roles for whom the page may be the start page after login
//             (default: every role that sees it)
//
// To add a page that lives inside the layout (console, dashboard, admin registers …) add
// one entry here; router.js turns every page into a child route of AppLayout. Full-screen
// pages without the layout (display, evaluator, kiosk, portal) are top-level routes in
// router.js instead.
import {
  Calendar,
  ChatLineSquare,
  DataAnalysis,
  Document,
  Checked,
  EditPen,
  Flag,
  Files,
  Folder,
  List,
  Medal,
  Microphone,
  Monitor,
  OfficeBuilding,
  Odometer,
  PhoneFilled,
  PieChart,
  Setting,
  Stamp,
  Star,
  Tickets,
  Timer,
  Trophy,
  Warning,
  WarningFilled,
} from '@element-plus/icons-vue'

export const ROLES = ['admin', 'leader', 'supervisor', 'staff']
// The service catalogue is kept by administrators and read by window staff.
const CATALOG_ROLES = ['admin', 'staff']
// Cases (办件) watched from above: the leader board, efficiency statistics, follow-up calls
// and accountability records (督查督办).
const SUPERVISION_ROLES = ['admin', 'leader', 'supervisor']

// The counter: window staff call and serve tickets (first, so it is their start page).
const CONSOLE_ROLES = ['staff']
// First inquiries (首问登记): anyone who meets citizens; cases (办件): their handlers, and
// leaders and supervisors who follow them.
const INQUIRY_ROLES = ['staff', 'leader', 'supervisor']
const CASE_ROLES = ['staff', 'leader', 'supervisor', 'admin']

export const menu = [
  {
    // the staff console (工作台): the counter, the inquiry log, my cases
    key: 'workbench',
    titleKey: 'menu.workbench',
    icon: Monitor,
    roles: [...new Set([...CONSOLE_ROLES, ...INQUIRY_ROLES, ...CASE_ROLES])],
    children: [
      {
        key: 'console',
        path: '/console',
        titleKey: 'menu.console',
        icon: Microphone,
        roles: CONSOLE_ROLES,
        component: () => import('./views/console/ConsoleView.vue'),
      },
      {
        key: 'inquiries',
        path: '/inquiries',
        titleKey: 'menu.inquiries',
        landing: ['staff'],
        icon: ChatLineSquare,
        roles: INQUIRY_ROLES,
        component: () => import('./views/inquiries/InquiriesView.vue'),
      },
      {
        key: 'cases',
        path: '/cases',
        titleKey: 'menu.cases',
        landing: ['staff'],
        icon: Folder,
        roles: CASE_ROLES,
        component: () => import('./views/cases/CasesView.vue'),
      },
      {
        // 我的评价 (好差评, issue 6): citizens' evaluations of the staff member's services
        key: 'my-evaluations',
        path: '/my/evaluations',
        titleKey: 'evaluation.menu.mine',
        icon: Star,
        roles: ['staff'],
        landing: [],
        component: () => import('./views/evaluations/MyEvaluationsView.vue'),
      },
      {
        key: 'case',
        path: '/cases/:id',
        titleKey: 'menu.case',
        roles: CASE_ROLES,
        hidden: true,
        activeMenu: '/cases',
        component: () => import('./views/cases/CaseView.vue'),
      },
    ],
  },
  {
    key: 'admin',
    titleKey: 'menu.admin',
    icon: Setting,
    roles: ROLES,
    children: [
      {
        key: 'admin-org',
        path: '/admin/org',
        titleKey: 'menu.org',
        icon: OfficeBuilding,
        roles: ROLES,
        // leaders and supervisors start on the board (督办看板)
        landing: ['admin'],
        component: () => import('./views/admin/OrgView.vue'),
      },
      {
        key: 'admin-calendar',
        path: '/admin/calendar',
        titleKey: 'menu.calendar',
        icon: Calendar,
        roles: ROLES,
        // leaders and supervisors start on the board (督办看板)
        landing: ['admin'],
        component: () => import('./views/admin/CalendarView.vue'),
      },
      {
        // a hall's queue settings and appointment slots (预约时段)
        key: 'admin-queue',
        path: '/admin/queue',
        titleKey: 'menu.queueSettings',
        icon: Timer,
        roles: ['admin'],
        component: () => import('./views/admin/QueueSettingsView.vue'),
      },
      {
        // a region's case rules: warnings, handover escalation, follow-up calls
        key: 'admin-case-settings',
        path: '/admin/case-settings',
        titleKey: 'menu.caseSettings',
        icon: Tickets,
        roles: ['admin'],
        component: () => import('./views/admin/CaseSettingsView.vue'),
      },
      {
        // a region's 好差评 rules, reasons, indicator sets, 差评 deadlines, upstream push
        key: 'admin-eval-settings',
        path: '/admin/eval-settings',
        titleKey: 'evalSup.menu.settings',
        icon: Medal,
        roles: ['admin'],
        component: () => import('./views/admin/EvalSettingsView.vue'),
      },
    ],
  },
  {
    key: 'supervision',
    titleKey: 'menu.supervision',
    icon: Odometer,
    roles: SUPERVISION_ROLES,
    children: [
      {
        key: 'leader-board',
        path: '/leader/board',
        titleKey: 'menu.caseBoard',
        icon: Warning,
        roles: SUPERVISION_ROLES,
        component: () => import('./views/leader/BoardView.vue'),
      },
      {
        key: 'leader-stats',
        path: '/leader/stats',
        titleKey: 'menu.caseStats',
        icon: DataAnalysis,
        roles: SUPERVISION_ROLES,
        component: () => import('./views/leader/StatsView.vue'),
      },
      {
        key: 'leader-followups',
        path: '/leader/followups',
        titleKey: 'menu.followups',
        icon: PhoneFilled,
        roles: SUPERVISION_ROLES,
        component: () => import('./views/leader/FollowupsView.vue'),
      },
      {
        key: 'leader-accountability',
        path: '/leader/accountability',
        titleKey: 'menu.accountability',
        icon: Stamp,
        roles: SUPERVISION_ROLES,
        component: () => import('./views/leader/AccountabilityView.vue'),
      },
    ],
  },
  {
    // 好差评 (issue 6) watched from above: the dashboard, 差评 work orders (also for staff:
    // their unit's and their own) and evaluations flagged as suspicious
    key: 'evaluation-sup',
    titleKey: 'evalSup.menu.group',
    icon: PieChart,
    roles: [...SUPERVISION_ROLES, 'staff'],
    children: [
      {
        key: 'eval-dashboard',
        path: '/eval/dashboard',
        titleKey: 'evalSup.menu.dashboard',
        icon: PieChart,
        roles: SUPERVISION_ROLES,
        component: () => import('./views/evaldash/EvalDashboardView.vue'),
      },
      {
        key: 'eval-bad-reviews',
        path: '/eval/bad-reviews',
        titleKey: 'evalSup.menu.badReviews',
        icon: EditPen,
        roles: [...SUPERVISION_ROLES, 'staff'],
        landing: [],
        component: () => import('./views/evalsup/BadReviewsView.vue'),
      },
      {
        key: 'eval-bad-review',
        path: '/eval/bad-reviews/:id',
        titleKey: 'evalSup.menu.badReview',
        roles: [...SUPERVISION_ROLES, 'staff'],
        hidden: true,
        activeMenu: '/eval/bad-reviews',
        component: () => import('./views/evalsup/BadReviewView.vue'),
      },
      {
        key: 'eval-flags',
        path: '/eval/flags',
        titleKey: 'evalSup.menu.flags',
        icon: WarningFilled,
        roles: SUPERVISION_ROLES,
        component: () => import('./views/evalsup/FraudFlagsView.vue'),
      },
    ],
  },
  {
    // 三比 scoring (issue 7): the ranking with stars and the red flag, the scorecards,
    // the manual score events (entered by supervisors, confirmed by leaders)
    key: 'scores',
    titleKey: 'score.menu.group',
    icon: Trophy,
    roles: SUPERVISION_ROLES,
    children: [
      {
        key: 'scores-ranking',
        path: '/scores',
        titleKey: 'score.menu.ranking',
        icon: Trophy,
        roles: SUPERVISION_ROLES,
        landing: [],
        component: () => import('./views/scores/ScoresView.vue'),
      },
      {
        key: 'scores-cards',
        path: '/scores/cards',
        titleKey: 'score.menu.cards',
        icon: List,
        roles: SUPERVISION_ROLES,
        landing: [],
        component: () => import('./views/scores/ScoreCardsView.vue'),
      },
      {
        key: 'scores-card',
        path: '/scores/cards/:id',
        titleKey: 'score.menu.card',
        roles: SUPERVISION_ROLES,
        hidden: true,
        activeMenu: '/scores/cards',
        component: () => import('./views/scores/ScoreCardView.vue'),
      },
      {
        key: 'scores-events',
        path: '/scores/events',
        titleKey: 'score.menu.events',
        icon: Flag,
        roles: SUPERVISION_ROLES,
        landing: [],
        component: () => import('./views/scores/ScoreEventsView.vue'),
      },
    ],
  },
  {
    key: 'catalog',
    titleKey: 'menu.catalog',
    icon: Files,
    roles: CATALOG_ROLES,
    children: [
      {
        key: 'admin-catalog',
        path: '/admin/catalog',
        titleKey: 'menu.catalogItems',
        icon: Document,
        roles: CATALOG_ROLES,
        component: () => import('./views/admin/CatalogView.vue'),
      },
      {
        key: 'admin-catalog-item',
        path: '/admin/catalog/items/:id',
        titleKey: 'menu.catalogItem',
        roles: CATALOG_ROLES,
        hidden: true,
        activeMenu: '/admin/catalog',
        component: () => import('./views/admin/CatalogItemView.vue'),
      },
    ],
  },
  {
    // 亮承诺 (issue 7): commitments of units, windows and staff, their fulfilment and 践诺率
    key: 'commitments',
    path: '/commitments',
    titleKey: 'commitment.menu',
    icon: Flag,
    roles: ROLES,
    landing: [],
    component: () => import('./views/commitments/CommitmentsView.vue'),
  },
  {
    // a staff member's own accountability record (责任追究记录, staff_id = self)
    key: 'my-accountability',
    path: '/my/accountability',
    titleKey: 'menu.myAccountability',
    icon: Stamp,
    roles: ['staff'],
    props: { mine: true },
    component: () => import('./views/leader/AccountabilityView.vue'),
  },
  {
    // 评优推荐: 先锋服务窗口 / 明星服务标兵 nominations (issue 7); every staff role may vote
    key: 'nominations',
    path: '/nominations',
    titleKey: 'menu.nominations',
    icon: Medal,
    roles: ROLES,
    landing: [],
    component: () => import('./views/nominations/NominationsView.vue'),
  },
  {
    key: 'nomination',
    path: '/nominations/:id',
    titleKey: 'menu.nomination',
    roles: ROLES,
    hidden: true,
    activeMenu: '/nominations',
    component: () => import('./views/nominations/NominationView.vue'),
  },
  // Later: dashboard (leader), display / evaluator / kiosk set-up …
  {
    // 三评 (issue 7): review rounds, my reviews to do, results
    key: 'reviews',
    titleKey: 'review.menu.group',
    icon: Checked,
    roles: ROLES,
    children: [
      {
        key: 'review-rounds',
        path: '/reviews',
        titleKey: 'review.menu.rounds',
        icon: Document,
        roles: ROLES,
        landing: [],
        component: () => import('./views/review/ReviewRoundsView.vue'),
      },
      {
        key: 'review-todo',
        path: '/reviews/todo',
        titleKey: 'review.menu.todo',
        icon: EditPen,
        roles: ROLES,
        landing: [],
        component: () => import('./views/review/ReviewTodoView.vue'),
      },
      {
        key: 'review-results',
        path: '/reviews/:id/results',
        titleKey: 'review.menu.results',
        roles: ROLES,
        hidden: true,
        activeMenu: '/reviews',
        component: () => import('./views/review/ReviewResultsView.vue'),
      },
    ],
  },
]

/** Every page entry, groups flattened. */
export function menuPages(items = menu) {
  const out = []
  for (const item of items) {
    if (item.children) out.push(...menuPages(item.children))
    else if (item.path) out.push(item)
  }
  return out
}

export function canSee(item, role) {
  return !item.roles || item.roles.includes(role)
}

/** The menu as the given role sees it (hidden pages and empty groups dropped). */
export function menuFor(role, items = menu) {
  const out = []
  for (const item of items) {
    if (!canSee(item, role) || item.hidden) continue
    if (item.children) {
      const children = menuFor(role, item.children)
      if (children.length) out.push({ ...item, children })
    } else {
      out.push(item)
    }
  }
  return out
}

/** Where a user lands after login: the first page their role may open. */
export function homePath(role) {
  const pages = menuPages(menuFor(role))
  const first = pages.find((p) => !p.landing || p.landing.includes(role)) || pages[0]
  return first ? first.path : '/login'
}
