// Module resolve hook (node:module register) of bin/sotto-server.js: adds the "sotto-dist" export condition, so that
// @sotto/mls and @sotto/identity resolve to their built JavaScript (dist/) instead of their TypeScript sources.
export async function resolve(specifier, context, nextResolve) {
  return nextResolve(specifier, { ...context, conditions: [...context.conditions, 'sotto-dist'] });
}
