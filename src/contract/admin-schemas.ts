import { Type, type Static } from '@sinclair/typebox';

const Usd = Type.Number({ minimum: 0, maximum: 1e9, description: 'US dollars' });
const Limit = Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'null = the server default; 0 = unlimited' });

export const ClientCreate = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  credits_usd: Type.Optional(Type.Union([Usd, Type.Null()], { description: 'Starting balance; null or absent = unlimited' })),
  rpm_limit: Type.Optional(Limit),
  max_concurrent: Type.Optional(Limit),
});

export const ClientUpdate = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  status: Type.Optional(Type.Unsafe<'active' | 'suspended' | 'deactivated'>({ type: 'string', enum: ['active', 'suspended', 'deactivated'] })),
  rpm_limit: Type.Optional(Limit),
  max_concurrent: Type.Optional(Limit),
});

const Fault = Type.Union([Type.String({ maxLength: 100 }), Type.Null()], { description: 'Emulator fault every submission of this key gets; null = none' });

export const KeyCreate = Type.Object({
  expires_at: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
  fault: Type.Optional(Fault),
});

export const KeyUpdate = Type.Object({
  revoked: Type.Optional(Type.Literal(true)),
  expires_at: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
  fault: Type.Optional(Fault),
});

export const CreditChange = Type.Object({
  op: Type.Unsafe<'credit' | 'debit' | 'set' | 'unlimited'>({ type: 'string', enum: ['credit', 'debit', 'set', 'unlimited'] }),
  amount_usd: Type.Optional(Usd),
  reason: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
});

export const BudgetPut = Type.Object({
  period: Type.Unsafe<'day' | 'month'>({ type: 'string', enum: ['day', 'month'] }),
  limit_usd: Type.Union([Usd, Type.Null()], { description: 'null removes the budget' }),
});

export type ClientCreate = Static<typeof ClientCreate>;
export type ClientUpdate = Static<typeof ClientUpdate>;
export type KeyCreate = Static<typeof KeyCreate>;
export type KeyUpdate = Static<typeof KeyUpdate>;
export type CreditChange = Static<typeof CreditChange>;
export type BudgetPut = Static<typeof BudgetPut>;

export const EmulatorUpdate = Type.Object({
  latency: Type.String({ maxLength: 32, description: 'instant, realistic or fixed:<ms>: how long generations submitted from now on take' }),
});
export type EmulatorUpdate = Static<typeof EmulatorUpdate>;

export const ClockAdvance = Type.Object({
  seconds: Type.Number({ minimum: 0, maximum: 10 * 365 * 86_400, description: 'How far to move the virtual clock' }),
});
export type ClockAdvance = Static<typeof ClockAdvance>;
