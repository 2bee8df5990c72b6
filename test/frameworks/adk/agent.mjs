// An unmodified ES module ADK app (see scenario.cjs).
import * as adk from '@google/adk';
import { z } from 'zod';
import scenario from './scenario.cjs';

await scenario.run(adk, z);
