#!/usr/bin/env node
/* walk_mssp_admin.test.js - admin@northwind.example walks the console by clicking only, at 1366 x 900 (the dashboard's drill-downs; walk_lib.js).
 * Prints TAP lines. Env: PORT, NW_ID. */
'use strict';
const { WIDE, walkFile } = require('./walk_lib');

walkFile('admin@northwind.example', WIDE, `/t/${process.env.NW_ID}`, ['dashboard']);
