// KeeperError belongs to @zkts/jute, beside the error-code table it carries; the data tree
// re-exports it so that its own modules and users keep one import.
export { KeeperError } from "@zkts/jute";
