// The frozen JSON copy lives in the domain (input schemas make them too); stores import it from here.
export { frozenJsonCopy, isFrozenJsonCopy } from "../domain/json-copy.js";
