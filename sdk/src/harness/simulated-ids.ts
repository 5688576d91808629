/**
 * Snowflake-shaped ids for simulated guilds, users and messages: increasing, 18-19 digits,
 * with a timestamp part like Discord's, so plugins that parse or sort ids behave as in production.
 */
const DISCORD_EPOCH = 1420070400000n;
let counter = 0n;

export function nextSnowflake(at: Date = new Date()): string {
  counter = (counter + 1n) & 0xfffn;
  return (((BigInt(at.getTime()) - DISCORD_EPOCH) << 22n) | counter).toString();
}
