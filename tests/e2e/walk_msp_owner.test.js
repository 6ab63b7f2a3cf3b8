#!/usr/bin/env node
/* walk_msp_owner.test.js - owner@msp1.example walks the console by clicking only, at 1366 x 900 (the dashboard's drill-downs; walk_lib.js).
 * Prints TAP lines. Env: PORT, BF_ID. */
'use strict';
const { WIDE, walkFile } = require('./walk_lib');

walkFile('owner@msp1.example', WIDE, `/t/${process.env.BF_ID}`, ['dashboard']);
