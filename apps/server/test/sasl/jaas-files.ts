import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const SASL_PROVIDER = "org.apache.zookeeper.server.auth.SASLAuthenticationProvider";
const DIGEST_MODULE = "org.apache.zookeeper.server.auth.DigestLoginModule";

/** Writes JAAS login configuration files for a test into a directory of their own. */
export class JaasFiles {
  readonly dir = mkdtempSync(join(tmpdir(), "zkts-sasl-"));

  /** `sections` maps a section name to its options (user_<name>, username, password, ...). */
  write(name: string, sections: Record<string, Record<string, string>>): string {
    const text = Object.entries(sections)
      .map(([section, options]) => {
        const opts = Object.entries(options)
          .map(([k, v]) => `  ${k}="${v}"`)
          .join("\n");
        return `${section} {\n  ${DIGEST_MODULE} required\n${opts};\n};\n`;
      })
      .join("\n");
    const path = join(this.dir, name);
    writeFileSync(path, text);
    return path;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
