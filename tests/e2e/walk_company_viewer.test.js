#!/usr/bin/env node
/* walk_company_viewer.test.js - viewer@company.example walks the console by clicking only, at 1366 x 900 (the dashboard's drill-downs, every section of the navigation and what it leads to; walk_lib.js).
 * Prints TAP lines. Env: PORT, CO_ID. */
'use strict';
const { WIDE, walkFile } = require('./walk_lib');

walkFile('viewer@company.example', WIDE, `/t/${process.env.CO_ID}`, ['dashboard', 'nav']);
