/**
 * Reads a Server-Sent Events body (the API's `/events/stream`) into events, for the CLI and the
 * tests: blocks end at a blank line; `event:` names one, `data:` lines join with newlines;
 * comments (`: ping`) are skipped.
 */
export interface SseEvent {
  event: string;
  data: string;
}

/** Feeds text in whatever pieces the network gives; returns the events each piece completes. */
export class SseParser {
  private buffered = '';

  push(text: string): SseEvent[] {
    this.buffered += text;
    const out: SseEvent[] = [];
    let cut: number;
    while ((cut = this.buffered.indexOf('\n\n')) >= 0) {
      const block = this.buffered.slice(0, cut);
      this.buffered = this.buffered.slice(cut + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length > 0) out.push({ event, data: data.join('\n') });
    }
    return out;
  }
}

/** The events of a streamed response body, as they arrive. */
export async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    for (const e of parser.push(decoder.decode(chunk, { stream: true }))) yield e;
  }
}
