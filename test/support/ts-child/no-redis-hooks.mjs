// Module hooks for no-redis.mjs: resolving `redis` fails as a missing package does.
export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'redis' || specifier.startsWith('@redis/')) {
    const error = new Error(`Cannot find package '${specifier}' imported from ${context.parentURL}`);
    error.code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }
  return nextResolve(specifier, context);
}
