// An unmodified CommonJS ADK app (see scenario.cjs).
const adk = require('@google/adk');
const { z } = require('zod');
const { run } = require('./scenario.cjs');

run(adk, z);
