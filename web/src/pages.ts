import type { SessionUser } from './session';

type Role = SessionUser['role'];

/** The application's pages, in menu order, with the roles that see them in the menu. */
export const pages: readonly { path: string; name: string; title: string; roles: readonly Role[] }[] = [
  { path: '/cockpit', name: 'cockpit', title: '院长驾驶舱', roles: ['manager', 'analyst', 'member', 'steward'] },
  { path: '/drg', name: 'drg', title: 'DRG/DIP', roles: ['manager', 'analyst', 'member', 'steward'] },
  { path: '/cost', name: 'cost', title: '成本', roles: ['manager', 'analyst', 'member', 'steward'] },
  { path: '/fund', name: 'fund', title: '医保监管', roles: ['manager', 'analyst', 'member', 'steward'] },
  { path: '/benchmark', name: 'benchmark', title: '区域对标', roles: ['manager', 'analyst', 'member', 'steward'] },
  { path: '/quality', name: 'quality', title: '数据质量', roles: ['steward', 'manager'] },
];

export function pagesFor(role: Role | undefined): typeof pages {
  return role ? pages.filter((p) => p.roles.includes(role)) : [];
}
