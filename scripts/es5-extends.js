// The one `__extends` of the legacy bundles: tsconfig.legacy.json has noEmitHelpers, so TypeScript
// does not paste its own copy into every file with a subclass, and scripts/build.mjs injects this.
// ES5. Ferry's classes have no static members, so only the prototype chain is set up.
export function __extends(child, parent) {
  function Prototype() {
    this.constructor = child;
  }
  Prototype.prototype = parent.prototype;
  child.prototype = new Prototype();
}
