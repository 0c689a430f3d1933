#!/usr/bin/env node
import {execute, settings} from '@oclif/core'

// Production: run compiled JavaScript only (also for linked plugins, which ship JS).
settings.enableAutoTranspile = false

await execute({dir: import.meta.url})
