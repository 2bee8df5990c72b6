/*
 * Live music (`ai.live.music.connect`, Lyria realtime): one CLIENT span from
 * connect to close, as for a Live API session (live.ts), named
 * `live_music_session {model}`. The class is not exported; core/patcher.ts
 * reaches it through the field `Live`'s constructor assigns.
 */
import * as sc from '../semconv.js';
import { startSession, type LiveParams } from './live.js';
import type { Surface } from './surface.js';

export const liveMusicConnect: Surface = {
  owner: 'LiveMusic',
  method: 'connect',
  operation: sc.OPERATION_LIVE_MUSIC_SESSION,
  start: (at, self, args) => {
    const params = args[0] as LiveParams | undefined;
    if (!params || typeof params !== 'object') return undefined;
    return startSession(at, self, params, args, sc.OPERATION_LIVE_MUSIC_SESSION);
  },
};
