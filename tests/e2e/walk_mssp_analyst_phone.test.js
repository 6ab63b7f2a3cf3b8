#!/usr/bin/env node
/* walk_mssp_analyst_phone.test.js - analyst@northwind.example walks the console by clicking only, at 390 x 844 (the dashboard's drill-downs; walk_lib.js).
 * Prints TAP lines. Env: PORT, NW_ID. */
'use strict';
const { PHONE, walkFile } = require('./walk_lib');

walkFile('analyst@northwind.example', PHONE, `/t/${process.env.NW_ID}`, ['dashboard']);
