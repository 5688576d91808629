/**
 * What a plugin's own code imports. Only the contract: `definePlugin` and the host API types.
 * The harness (`@townesdev/sdk/harness`) and the build (`@townesdev/sdk/build`) are separate
 * entry points so a plugin bundle never pulls in the kernel.
 */
export * from '@townesdev/plugin-contract';
