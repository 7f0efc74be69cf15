import { z } from 'zod';

/** Stream ids, account ids and transfer ids share the contract's identifier syntax. */
export const IdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must match ^[A-Za-z0-9_-]{1,64}$');
