/**
 * A service instance as curator-x-discovery's ServiceInstance stores it: JSON with the fields
 * name, id, address, port, sslPort, payload, registrationTimeUTC, serviceType and uriSpec, in
 * that order, absent values written as null (what Jackson writes for Curator's POJO). Curator
 * 2.9+ also writes `enabled`; it is read when present and left out on write (as Curator's
 * compatible serialization mode does), so every Curator version reads the nodes.
 */
export type ServiceType = "DYNAMIC" | "STATIC" | "PERMANENT" | "DYNAMIC_SEQUENTIAL";

export interface ServiceInstance<P = unknown> {
  name: string;
  id: string;
  address?: string | null;
  port?: number | null;
  sslPort?: number | null;
  /**
   * Any JSON value. Curator reads an object without "@class" as a Map and a string as a
   * String; put "@class" in an object to have Curator build that class.
   */
  payload?: P | null;
  /** Epoch milliseconds. Default: the registration time. */
  registrationTimeUTC?: number;
  /** DYNAMIC (the default) is an ephemeral node; STATIC and PERMANENT are persistent. */
  serviceType?: ServiceType;
  /** Curator's URI template, e.g. "{scheme}://{address}:{port}/api". */
  uriSpec?: string | null;
  /** Curator 2.9+: a disabled instance is skipped by Curator's providers. Default true. */
  enabled?: boolean;
}

interface UriSpecPart {
  value: string;
  variable: boolean;
}

export function encodeServiceInstance(instance: ServiceInstance, registrationTimeUTC: number): Buffer {
  const stored = {
    name: instance.name,
    id: instance.id,
    address: instance.address ?? null,
    port: instance.port ?? null,
    sslPort: instance.sslPort ?? null,
    payload: instance.payload ?? null,
    registrationTimeUTC: instance.registrationTimeUTC ?? registrationTimeUTC,
    serviceType: instance.serviceType ?? "DYNAMIC",
    uriSpec: instance.uriSpec == null ? null : { parts: parseUriSpec(instance.uriSpec) },
  };
  return Buffer.from(JSON.stringify(stored));
}

export function decodeServiceInstance<P = unknown>(data: Buffer): ServiceInstance<P> {
  const raw = JSON.parse(data.toString("utf8")) as Record<string, unknown>;
  if (typeof raw.name !== "string" || typeof raw.id !== "string") throw new Error(`not a service instance: ${data.toString("utf8")}`);
  const parts = (raw.uriSpec as { parts?: UriSpecPart[] } | null | undefined)?.parts;
  return {
    name: raw.name,
    id: raw.id,
    address: (raw.address as string | null | undefined) ?? null,
    port: (raw.port as number | null | undefined) ?? null,
    sslPort: (raw.sslPort as number | null | undefined) ?? null,
    payload: (raw.payload as P | null | undefined) ?? null,
    registrationTimeUTC: typeof raw.registrationTimeUTC === "number" ? raw.registrationTimeUTC : 0,
    serviceType: (raw.serviceType as ServiceType | undefined) ?? "DYNAMIC",
    uriSpec: parts === undefined ? null : formatUriSpec(parts),
    enabled: raw.enabled !== false,
  };
}

/** Curator's UriSpec grammar: `{name}` is a variable (trimmed), everything else literal text. */
export function parseUriSpec(spec: string): UriSpecPart[] {
  const parts: UriSpecPart[] = [];
  let inside = false;
  for (const token of spec.split(/([{}])/).filter((t) => t !== "")) {
    if (token === "{") {
      if (inside) throw new Error(`uriSpec ${spec}: "{" inside a variable`);
      inside = true;
    } else if (token === "}") {
      if (!inside) throw new Error(`uriSpec ${spec}: "}" without "{"`);
      inside = false;
    } else {
      parts.push({ value: inside ? token.trim() : token, variable: inside });
    }
  }
  if (inside) throw new Error(`uriSpec ${spec}: the last variable is not closed`);
  return parts;
}

function formatUriSpec(parts: readonly UriSpecPart[]): string {
  return parts.map((part) => (part.variable ? `{${part.value}}` : part.value)).join("");
}

/**
 * The instance's URI from its uriSpec, with Curator's variables: scheme ("https" when there is
 * an sslPort, else "http"), name, id, address, port, ssl-port, registration-time-utc,
 * service-type; `variables` add to or override them.
 */
export function buildServiceUri(instance: ServiceInstance, variables: Record<string, string | number> = {}): string {
  if (instance.uriSpec == null) return "";
  const known: Record<string, string | number> = {
    "[": "{",
    "]": "}",
    scheme: instance.sslPort != null ? "https" : "http",
    name: instance.name,
    id: instance.id,
    address: instance.address ?? "",
    port: instance.port ?? "",
    "ssl-port": instance.sslPort ?? "",
    "registration-time-utc": instance.registrationTimeUTC ?? "",
    "service-type": (instance.serviceType ?? "DYNAMIC").toLowerCase(),
    ...variables,
  };
  return parseUriSpec(instance.uriSpec)
    .map((part) => (part.variable ? String(known[part.value] ?? "") : part.value))
    .join("");
}
