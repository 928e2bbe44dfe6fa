/**
 * The API's error catalogue. Every error body is `{ "error": { "code", "message", … } }` with a
 * stable code from this list; each is documented in src/api/README.md (a test checks).
 */
export const apiErrorCodes = [
  'API_UNAUTHORIZED',
  'API_FORBIDDEN',
  'API_NOT_FOUND',
  'API_METHOD_NOT_ALLOWED',
  'API_BAD_JSON',
  'API_BAD_BODY',
  'API_BAD_PARAM',
  'API_TOO_LARGE',
  'API_CONFIG_OWNED',
  'API_UNKNOWN_PROFILE',
  'API_IN_USE',
  'API_NO_INSTALLER',
  'API_BAD_TEMPLATE',
  'API_BUSY',
  'API_INTERNAL',
] as const;

export type ApiErrorCode = (typeof apiErrorCodes)[number];

export interface ApiIssue {
  /** Dotted path into the body (`selector.arch[0]`), or the parameter's name; empty for the whole body. */
  field: string;
  message: string;
}

export interface ApiErrorBody {
  error: {
    code: ApiErrorCode;
    message: string;
    /** The first field at fault, for 400s about a body or a parameter. */
    field?: string;
    /** Every problem found, for 400s about a body. */
    issues?: ApiIssue[];
    /** For API_IN_USE: what still refers to the object. */
    usedBy?: string[];
  };
}

/**
 * The source of an SSE response. `open` starts it with a `send` that writes one event (false
 * once the client is gone or too slow to keep up) and returns what stops it.
 */
export interface ApiEventStream {
  open(send: (event: string, data: string) => boolean): () => void;
}

/** A response the router sends; handlers return these rather than throwing. */
export interface ApiResponse {
  status: number;
  body?: unknown;
  /** A body that is not JSON (`/metrics`): sent as is, with its own content type. */
  text?: { contentType: string; body: string };
  /** A Server-Sent Events stream (`text/event-stream`) that stays open until the client leaves. */
  stream?: ApiEventStream;
  headers?: Record<string, string>;
}

export function apiError(status: number, code: ApiErrorCode, message: string, extra: Omit<ApiErrorBody['error'], 'code' | 'message'> = {}): ApiResponse {
  const body: ApiErrorBody = { error: { code, message, ...extra } };
  return { status, body };
}
