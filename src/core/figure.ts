/** The key of one figure of one arm in one cell, shared by summaries, calibration entries and run-to-run changes. */
export interface ArmFigure {
  /** Metric name (metrics registry), e.g. 'startup'. */
  metric: string
  /** Figure of that metric, e.g. 'ready'. */
  figure: string
  arm: string
  workload: string
  /** The cell's parameters (defaults included). */
  params: Record<string, string | number | boolean>
  /** Unit of the figure's values, e.g. 'ms', 'MiB'. */
  unit: string
}
