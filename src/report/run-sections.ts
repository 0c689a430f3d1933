/**
 * The report sections registry: every section of one run's article, in page order, each with its
 * links in the run's table of contents. Adding a section is one entry here (its renderer beside the
 * others in sections.ts). The metric sections come from the metric registry: a metric declares its
 * title, note and charts (src/metrics/<name>/), and this table only places them.
 */
import type {Results} from '../core/results.js'
import {getMetric, METRIC_NAMES} from '../metrics/index.js'
import type {Chart} from './charts/kit.js'
import {h, raw, type Safe} from './escape.js'
import {armsSection, comparisonTable, failuresSection, hostSection, paritySection, precisionSection, summaryTable, warningsSection} from './sections.js'
import {answerSection, verdictsSection} from './answer-section.js'
import {claimsSection} from './claims-section.js'
import {attributionSection} from './attribution-section.js'
import {provenanceSection} from './provenance-section.js'
import {calibrationSection} from './calibration-section.js'
import {capacitySection} from './capacity-section.js'
import {workloadsSection} from './workloads-section.js'
import {ladderSection} from './ladder-section.js'

export interface RenderedChart extends Chart {
  svg: string
}

/** What a section renders from: one run, its rendered charts, its index on the page, its arm labels. */
export interface RunView {
  results: Results
  charts: RenderedChart[]
  index: number
  label: (arm: string) => string
  /** Markup placed after the verdicts of the first run (the --baseline section). */
  extra?: Safe
}

export interface RunSection {
  /** Its name (and anchor, for the sections that have one). */
  id: string
  render(view: RunView): Safe
  /** Its links in the run's table of contents, if any. */
  toc?(view: RunView): Safe
  /**
   * Ids are run-relative ('verdicts'): the second run on a page gets 'r1-verdicts', and so on. Sections
   * without it name their ids with the run index themselves ('r0-startup').
   */
  prefixIds?: boolean
}

const DRIFT = {
  title: 'Sample order (drift)',
  note: 'Every measured sample in the order it was taken: a trend means the machine drifted during the run (caches, thermal, neighbours).',
}

/** A link to a run-relative section: '#host' for the first run, '#r1-host' for the second. */
const tocLink = (id: string) => (v: RunView) => h`<a href="#${v.index === 0 ? '' : `r${v.index}-`}${id}">${id}</a>`

function chartFigure(c: RenderedChart): Safe {
  return h`<figure class="chart" id="${c.id}" data-chart="${c.id}">${raw(c.svg)}<figcaption>${c.title} · vega-lite spec embedded as <code>${c.id}</code></figcaption></figure>`
}

/** Every registered metric (registry order), then any other metric the run measured. */
function metricNames(results: Results): string[] {
  return [...new Set([...METRIC_NAMES, ...results.samples.map((s) => s.metric)])]
}

function metricSections(v: RunView): Safe {
  return h`${metricNames(v.results).map((metric) => {
    const m = getMetric(metric)
    const mine = v.charts.filter((c) => c.section === metric)
    const summaries = v.results.summaries.filter((s) => s.metric === metric)
    const comparisons = v.results.comparisons.filter((c) => c.metric === metric)
    const has = mine.length + summaries.length + comparisons.length > 0
    return h`<section id="r${v.index}-${metric}" class="metric"><h2>${m?.title ?? metric}</h2>
${has ? h`<p class="dim">${m?.note ?? ''}</p>${(m?.caveats?.(v.results.arms) ?? []).map((c) => h`<p class="caveat">${c}</p>`)}${mine.map(chartFigure)}${summaryTable(summaries, v.label)}${comparisonTable(comparisons, v.label, v.results)}` : h`<p class="empty">Not measured in this run.</p>`}</section>`
  })}`
}

function driftSection(v: RunView): Safe {
  const drift = v.charts.filter((c) => c.section === 'drift')
  return h`<section id="r${v.index}-drift"><h2>${DRIFT.title}</h2>${drift.length ? h`<p class="dim">${DRIFT.note}</p>${drift.map(chartFigure)}` : h`<p class="empty">Too few samples to show an order.</p>`}</section>`
}

export const RUN_SECTIONS: RunSection[] = [
  {id: 'headline', render: answerSection, toc: tocLink('headline'), prefixIds: true},
  {id: 'capacity', render: capacitySection, toc: (v) => (v.results.capacity ? h`<a href="#r${v.index}-capacity">capacity</a>` : raw(''))},
  {id: 'verdicts', render: (v) => verdictsSection(v.results), toc: tocLink('verdicts'), prefixIds: true},
  {
    id: 'ladder',
    render: (v) => ladderSection(v.results, v.label, h`${v.charts.filter((c) => c.section === 'ladder').map(chartFigure)}`),
    toc: tocLink('ladder'),
    prefixIds: true,
  },
  {id: 'baseline', render: (v) => v.extra ?? raw(''), prefixIds: true},
  {id: 'host', render: (v) => hostSection(v.results), toc: tocLink('host'), prefixIds: true},
  {id: 'arms', render: (v) => armsSection(v.results), toc: tocLink('arms'), prefixIds: true},
  {id: 'workloads', render: (v) => workloadsSection(v.results), toc: tocLink('workloads'), prefixIds: true},
  {id: 'parity', render: (v) => paritySection(v.results), toc: tocLink('parity'), prefixIds: true},
  {id: 'provenance', render: (v) => provenanceSection(v.results), toc: tocLink('provenance'), prefixIds: true},
  {id: 'warnings', render: (v) => warningsSection(v.results), prefixIds: true},
  {id: 'claims', render: (v) => claimsSection(v.results), prefixIds: true},
  {id: 'precision', render: (v) => precisionSection(v.results), prefixIds: true},
  {
    id: 'calibration',
    render: calibrationSection,
    toc: (v) => (v.results.calibration || v.results.detect ? h`<a href="#r${v.index}-calibration">calibration</a>` : raw('')),
  },
  {
    id: 'metrics',
    render: metricSections,
    toc: (v) => h`${metricNames(v.results).map((m) => h`<a class="${v.charts.some((c) => c.section === m) ? '' : 'none'}" href="#r${v.index}-${m}">${m}</a>`)}`,
  },
  {id: 'attribution', render: attributionSection, toc: (v) => h`<a href="#r${v.index}-attribution">where it goes</a>`},
  {id: 'drift', render: driftSection, toc: (v) => h`<a href="#r${v.index}-drift">drift</a>`},
  {id: 'failures', render: (v) => failuresSection(v.results, v.label), prefixIds: true},
]
