/** An RFC 9457 problem as an API answered it, or as the dashboard met it (network, bad answer). */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly code?: string,
    readonly errors?: { path: string; message: string }[],
  ) {
    super(detail ? `${title}: ${detail}` : title);
  }

  /** The problem a failed response carries, or one made from its status when it carries none. */
  static async from(res: Response): Promise<Problem> {
    const text = await res.text().catch(() => '');
    try {
      const body = JSON.parse(text) as Record<string, unknown>;
      if (typeof body.title === 'string') {
        return new Problem(
          res.status,
          body.title,
          typeof body.detail === 'string' ? body.detail : undefined,
          typeof body.code === 'string' ? body.code : undefined,
          Array.isArray(body.errors) ? (body.errors as { path: string; message: string }[]) : undefined,
        );
      }
    } catch {
      // not JSON: fall through
    }
    return new Problem(res.status, `HTTP ${res.status} ${res.statusText}`.trim(), text.slice(0, 300) || undefined);
  }

  static of(err: unknown): Problem {
    if (err instanceof Problem) return err;
    // fetch() rejects with a TypeError when the server cannot be reached or CORS refuses it.
    return new Problem(0, 'Could not reach the server', err instanceof Error ? err.message : String(err));
  }
}
