// Server-Sent Events, parsed from text as it arrives (the WHATWG "event stream" format): the
// dashboard reads the stream with fetch(), because EventSource cannot send an Authorization header.

/** One dispatched message: `id` is the last id seen on the stream (it persists across messages). */
export type SseMessage = { id: string | undefined; event: string; data: string };

export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private lastId: string | undefined;

  /** Feeds a chunk of text; returns the messages it completed. */
  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const out: SseMessage[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      // A lone \r at the end may be the first half of \r\n: wait for more.
      if (!match || (match[0] === '\r' && match.index === this.buffer.length - 1)) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const message = this.line(line);
      if (message) out.push(message);
    }
    return out;
  }

  private line(line: string): SseMessage | undefined {
    if (line === '') {
      const message =
        this.data.length > 0
          ? { id: this.lastId, event: this.event || 'message', data: this.data.join('\n') }
          : undefined;
      this.data = [];
      this.event = '';
      return message;
    }
    if (line.startsWith(':')) return undefined; // a comment: the server's keep-alive
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.lastId = value;
    return undefined;
  }
}
