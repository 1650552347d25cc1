// Theme: light, dark or the system's, saved per browser (not a secret: kept in localStorage).
export type Theme = 'light' | 'dark' | 'system';

export function savedTheme(): Theme {
  const t = localStorage.getItem('sotto.theme');
  return t === 'light' || t === 'dark' ? t : 'system';
}

export function applyTheme(theme: Theme): void {
  localStorage.setItem('sotto.theme', theme);
  const dark = theme === 'dark' || (theme === 'system' && matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}
