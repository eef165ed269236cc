import { setTimeout as sleep } from "node:timers/promises";
import { type ZkClient, ZkError } from "@zkts/client";

/**
 * A reconfig from an admin session that may sit on the member changing role (a removed leader
 * drops its clients): on connection loss it is asked again, up to 20 times, 200 ms apart.
 * Returns the new configuration's text.
 */
export async function reconfigRetrying(admin: ZkClient, options: { joining?: string; leaving?: string }): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await admin.reconfig(options)).data.toString();
    } catch (err) {
      if (!(err instanceof ZkError) || err.codeName !== "CONNECTIONLOSS" || attempt >= 20) throw err;
      await sleep(200);
    }
  }
}
