import { apiFetch } from './session';

/**
 * Fetches a file from our own API with the session token and hands it to the browser as a download
 * named `filename`. Throws an Error whose message is meant for the user.
 */
export async function downloadFile(url: string, filename: string): Promise<void> {
  const response = await apiFetch(url);
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    if (response.status === 403) throw new Error(body.error ?? '没有下载这份报表的权限');
    throw new Error(body.error ?? '下载失败，请稍后再试');
  }
  const blob = await response.blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
