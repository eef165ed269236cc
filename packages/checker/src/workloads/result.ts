// The shape every workload checker returns.
export interface WorkloadResult<Detail = unknown> {
  checker: string;
  valid: boolean;
  /** One line per violation, for people. */
  problems: string[];
  detail: Detail;
}
