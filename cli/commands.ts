/**
 * Every verb of `pctl`, one line each: `export { register as <verb> } from "./<verb>.js";`.
 * A verb module exports `register(program)`, which adds its command to the program.
 * @module
 */

export { register as bootstrap } from "./bootstrap.js";
export { register as create } from "./create.js";
export { register as diff } from "./diff.js";
export { register as install } from "./install.js";
export { register as list } from "./list.js";
export { register as outdated } from "./outdated.js";
export { register as render } from "./render.js";
export { register as search } from "./search.js";
export { register as show } from "./show.js";
export { register as uninstall } from "./uninstall.js";
export { register as upgrade } from "./upgrade.js";
export { register as validate } from "./validate.js";
