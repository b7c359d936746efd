declare module 'virtual:generation-validator' {
  export const validate: ((data: unknown) => boolean) & { errors?: unknown[] | null };
}
