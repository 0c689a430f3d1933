/**
 * Parser for fio's JSON report (fio 3.x, --output-format=json): per job, IOPS and the 99th
 * percentile completion latency of its direction. A job that reports an error, or no I/O at all,
 * is refused. The JSON object is cut out of the instance's output, which may carry other lines.
 */
import {ParseError} from '../profile.js'

interface FioDir {
  iops: number
  bw: number
  total_ios?: number
  clat_ns?: {percentile?: Record<string, number>}
}
interface FioJob {
  jobname: string
  error: number
  read: FioDir
  write: FioDir
}

export interface FioJobFigures {
  iops: number
  /** KiB/s */
  bwKiBs: number
  clatP99Ms: number
}

export function parseFio(output: string): Map<string, FioJobFigures> {
  const start = output.indexOf('{')
  const end = output.lastIndexOf('}')
  if (start < 0 || end < start) throw new ParseError('fio: no JSON report in the output')
  let doc: {jobs?: FioJob[]}
  try {
    doc = JSON.parse(output.slice(start, end + 1)) as {jobs?: FioJob[]}
  } catch (error) {
    throw new ParseError(`fio: unreadable JSON report: ${(error as Error).message}`)
  }
  if (!Array.isArray(doc.jobs) || doc.jobs.length === 0) throw new ParseError('fio: the report has no jobs')
  const jobs = new Map<string, FioJobFigures>()
  for (const job of doc.jobs) {
    if (job.error) throw new ParseError(`fio: job ${job.jobname} failed with error ${job.error}`)
    const dir = job.read.iops >= job.write.iops ? job.read : job.write
    const p99 = dir.clat_ns?.percentile?.['99.000000']
    if (!(dir.iops > 0) || p99 === undefined) throw new ParseError(`fio: job ${job.jobname} did no I/O`)
    jobs.set(job.jobname, {iops: dir.iops, bwKiBs: dir.bw, clatP99Ms: p99 / 1e6})
  }
  return jobs
}

export function fioJob(jobs: Map<string, FioJobFigures>, name: string): FioJobFigures {
  const job = jobs.get(name)
  if (!job) throw new ParseError(`fio: no job ${name} in the report`)
  return job
}
