import { createRouter, createWebHistory } from 'vue-router';
import { pages, pagesFor } from './pages';
import { session } from './session';

const components: Record<string, () => Promise<unknown>> = {
  cockpit: () => import('./pages/Cockpit.vue'),
  drg: () => import('./pages/Drg.vue'),
  cost: () => import('./pages/Cost.vue'),
  fund: () => import('./pages/Fund.vue'),
  benchmark: () => import('./pages/Benchmark.vue'),
  quality: () => import('./pages/Quality.vue'),
};

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: () => import('./pages/Login.vue'), meta: { public: true } },
    ...pages.map((p) => ({ path: p.path, name: p.name, component: components[p.name]!, meta: { title: p.title } })),
    { path: '/:rest(.*)*', redirect: '/cockpit' },
  ],
});

router.beforeEach((to) => {
  if (to.meta.public) return true;
  if (!session.signedIn.value) return { name: 'login', query: { next: to.fullPath } };
  const allowed = pagesFor(session.state.user?.role).map((p) => p.name);
  if (!allowed.includes(String(to.name))) return { path: pagesFor(session.state.user?.role)[0]?.path ?? '/login' };
  return true;
});

router.afterEach((to) => {
  document.title = `${(to.meta.title as string | undefined) ?? '登录'} · 医联体数据仓库`;
});
