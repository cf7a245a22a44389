#!/usr/bin/env node
require("../dist/cli-exp/rdsiam.cjs");
