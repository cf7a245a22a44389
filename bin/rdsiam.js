#!/usr/bin/env node
import '../dist/cli/rdsiam.js';
