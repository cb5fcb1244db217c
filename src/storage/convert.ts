// Row value conversions shared by repositories.

/** 0/1 (SQLite) or true/false (PostgreSQL) → boolean. */
export const toBool = (value: number | boolean): boolean => value === true || value === 1;

/** boolean → 0/1; PostgreSQL accepts '1'/'0' as boolean input, SQLite stores the integer. */
export const fromBool = (value: boolean): number => (value ? 1 : 0);

export const toDate = (ms: number): Date => new Date(ms);
export const toDateOrNull = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
