/** Minimal JSON HTTP helpers for end-to-end tests against the public APIs. */
export const commandApi = () => process.env.COMMAND_API_URL!;
export const queryApi = () => process.env.QUERY_API_URL!;

export type Reply = { status: number; body: any; headers: Headers }; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => undefined), headers: res.headers };
}

export async function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: await res.json().catch(() => undefined), headers: res.headers };
}
