/**
 * Loads a scenario YAML file. Every problem becomes one InputFileError naming the file,
 * line:column (from the YAML document's source ranges), the field path and what was expected.
 */
import {parseYamlInput, readInputFile} from '../config/input-file.js'
import {scenarioSchema, type Scenario} from './schema.js'

export interface LoadedScenario {
  file: string
  scenario: Scenario
  /** line:col of a field path, for errors found after validation (e.g. unknown arm). */
  positionOf(path: ReadonlyArray<PropertyKey>): {line: number; col: number} | undefined
  /** Made from command-line flags (run --image), not from a file: its inline workload's origin is the command line. */
  fromCommandLine?: boolean
}

export function loadScenarioFile(file: string): LoadedScenario {
  return parseScenario(readInputFile(file, 'scenario file'), file)
}

export function parseScenario(text: string, file: string): LoadedScenario {
  const {data, positionOf} = parseYamlInput(text, file, scenarioSchema, 'expected a mapping with name, metrics, … at the top level')
  return {file, scenario: data, positionOf: (p) => positionOf(p)}
}
