// Hash routing (#/login, #/admin/org …): the server needs no SPA fallback.
import { createRouter, createWebHashHistory } from 'vue-router'
import { menuPages, canSee, homePath } from './menu.js'
import { session, loadMe, clearSession } from './session.js'
import { setUnauthorizedHandler } from './api.js'
import { ElMessage } from 'element-plus'
import { t } from './i18n.js'
import LoginView from './views/LoginView.vue'
import AppLayout from './layouts/AppLayout.vue'

const layoutChildren = menuPages().map((page) => ({
  path: page.path.replace(/^\//, ''),
  name: page.key,
  component: page.component,
  props: page.props || false,
  meta: { titleKey: page.titleKey, roles: page.roles, activeMenu: page.activeMenu || page.path },
}))

const routes = [
  { path: '/login', name: 'login', component: LoginView, meta: { public: true } },
  // Full-screen pages (display, evaluator, kiosk, portal) go here, outside the layout.
  // The public service guide (办事指南): no login.
  {
    path: '/portal',
    component: () => import('./views/portal/PortalLayout.vue'),
    meta: { public: true },
    children: [
      { path: '', name: 'portal', component: () => import('./views/portal/PortalHome.vue'), meta: { public: true } },
      {
        path: 'items/:code',
        name: 'portal-item',
        component: () => import('./views/portal/PortalItem.vue'),
        meta: { public: true },
      },
      // booking an appointment (预约) and looking one up or cancelling it (我的预约)
      {
        path: 'book',
        name: 'portal-book',
        component: () => import('./views/portal/PortalBook.vue'),
        meta: { public: true },
      },
      {
        path: 'appointment',
        name: 'portal-appointment',
        component: () => import('./views/portal/PortalAppointment.vue'),
        meta: { public: true },
      },
      // a case's progress by its number and the receipt's query code (办件查询)
      {
        path: 'case',
        name: 'portal-case',
        component: () => import('./views/portal/PortalCase.vue'),
        meta: { public: true },
      },
      // 网上评议投票 (三评, issue 7): the open votes and one vote's page
      {
        path: 'votes',
        name: 'portal-votes',
        component: () => import('./views/portal/PortalVote.vue'),
        meta: { public: true },
      },
      {
        path: 'votes/:id',
        name: 'portal-vote',
        component: () => import('./views/portal/PortalVote.vue'),
        meta: { public: true },
      },
      // the honour list: winners of 先锋服务窗口 / 明星服务标兵 nominations (issue 7)
      {
        path: 'honours',
        name: 'portal-honours',
        component: () => import('./views/portal/PortalHonours.vue'),
        meta: { public: true },
      },
      // 亮承诺: public commitments and 践诺率 of a hall (issue 7)
      {
        path: 'commitments',
        name: 'portal-commitments',
        component: () => import('./views/portal/PortalCommitments.vue'),
        meta: { public: true },
      },
      // 窗口星级与流动红旗 (issue 7): the windows' latest closed month, stars, red flags
      {
        path: 'scores',
        name: 'portal-scores',
        component: () => import('./views/portal/PortalScores.vue'),
        meta: { public: true },
      },
      // a hall's live waiting counts (also where a ticket's QR code leads)
      {
        path: 'halls/:id',
        name: 'portal-hall',
        component: () => import('./views/portal/PortalHall.vue'),
        meta: { public: true },
      },
    ],
  },
  // The hall screen (大厅显示屏) and the ticket kiosk (自助取号机): full screen, no login;
  // a device token may come once as ?device=TOKEN (utils/device.js).
  {
    path: '/display/:hallId',
    name: 'display',
    component: () => import('./views/display/DisplayView.vue'),
    meta: { public: true, device: true },
  },
  {
    path: '/kiosk/:hallId',
    name: 'kiosk',
    component: () => import('./views/kiosk/KioskView.vue'),
    meta: { public: true, device: true },
  },
  // 好差评 (issue 6): the window's evaluator tablet (device token as for the kiosk), and the
  // public evaluation pages — a ticket's or receipt's QR code (#/e/TOKEN), a window's or a
  // staff member's QR code (today's ticket code asked), a case number and name.
  {
    path: '/evaluator',
    name: 'evaluator',
    component: () => import('./views/evaluator/EvaluatorView.vue'),
    meta: { public: true, device: true },
  },
  {
    path: '/e/case',
    name: 'evaluate-case',
    component: () => import('./views/evaluate/EvaluateView.vue'),
    props: { mode: 'case' },
    meta: { public: true },
  },
  {
    path: '/e/window/:id',
    name: 'evaluate-window',
    component: () => import('./views/evaluate/EvaluateView.vue'),
    props: { mode: 'window' },
    meta: { public: true },
  },
  {
    path: '/e/staff/:id',
    name: 'evaluate-staff',
    component: () => import('./views/evaluate/EvaluateView.vue'),
    props: { mode: 'staff' },
    meta: { public: true },
  },
  {
    path: '/e/:token',
    name: 'evaluate',
    component: () => import('./views/evaluate/EvaluateView.vue'),
    props: { mode: 'token' },
    meta: { public: true },
  },
  {
    path: '/',
    component: AppLayout,
    children: [
      { path: '', name: 'home', redirect: () => homePath(session.user?.role) },
      ...layoutChildren,
    ],
  },
  { path: '/:rest(.*)*', redirect: '/' },
]

export const router = createRouter({
  history: createWebHashHistory(),
  routes,
})

router.beforeEach(async (to) => {
  if (!session.loaded) await loadMe()
  if (to.meta.public) {
    if (to.name === 'login' && session.user) {
      const home = homePath(session.user.role)
      if (home !== '/login') return home
    }
    return true
  }
  if (!session.user) {
    return { name: 'login', query: to.fullPath && to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  const roles = to.meta.roles
  if (roles && !canSee({ roles }, session.user.role)) return homePath(session.user.role)
  return true
})

// A 401 from any API call: the session is gone, go to the login page.
let redirecting = false
setUnauthorizedHandler(() => {
  const wasSignedIn = !!session.user
  clearSession()
  const current = router.currentRoute.value
  if (current.meta.public || redirecting) return
  redirecting = true
  if (wasSignedIn) ElMessage({ type: 'warning', message: t('errors.unauthorized'), grouping: true })
  router
    .replace({ name: 'login', query: { redirect: current.fullPath } })
    .finally(() => {
      redirecting = false
    })
})

export default router
