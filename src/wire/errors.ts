// Evolution's error body: `{status, error, response: {message}}`.

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface EvolutionErrorBody {
  status: number;
  error: string;
  response: { message: unknown };
}

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? (status >= 500 ? 'Internal Server Error' : 'Bad Request');
}

/** `message` is an array for typed errors; Evolution's 401 carries the bare string "Unauthorized". */
export function errorBody(status: number, message: unknown[] | string): EvolutionErrorBody {
  return { status, error: statusText(status), response: { message } };
}

export const unauthorizedBody = (): EvolutionErrorBody => errorBody(401, 'Unauthorized');
