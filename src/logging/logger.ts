import { AsyncLocalStorage } from 'node:async_hooks';
import winston from 'winston';
import type { AppConfig } from '../config/schema';

export interface RequestContext {
  requestId: string;
}

export type Logger = winston.Logger;

export interface Logging {
  logger: Logger;
  /** Carries the request id through async work, so every line logged on a request's behalf names it. */
  context: AsyncLocalStorage<RequestContext>;
}

export function createLogging(
  config: Pick<AppConfig, 'log'>,
  env: NodeJS.ProcessEnv = process.env,
  transports?: winston.transport[],
): Logging {
  const context = new AsyncLocalStorage<RequestContext>();
  const withRequestId = winston.format((info) => {
    const ctx = context.getStore();
    if (ctx && info.requestId === undefined) info.requestId = ctx.requestId;
    return info;
  });
  const json = config.log.format === 'json' || (config.log.format === 'auto' && env.NODE_ENV === 'production');
  const format = json
    ? winston.format.combine(withRequestId(), winston.format.timestamp(), winston.format.json())
    : winston.format.combine(
        withRequestId(),
        winston.format.timestamp(),
        winston.format.printf(({ timestamp, level, message, requestId, ...rest }) => {
          const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
          const rid = requestId ? ` [${String(requestId)}]` : '';
          return `${String(timestamp)} ${level}${rid} ${String(message)}${extra}`;
        }),
      );
  const logger = winston.createLogger({
    level: config.log.level,
    format,
    transports: transports ?? [new winston.transports.Console()],
  });
  return { logger, context };
}
