#!/usr/bin/env node
/* walk_mssp_analyst_nav.test.js - analyst@northwind.example walks the console by clicking only, at 1366 x 900 (every section of the navigation and what it leads to; walk_lib.js).
 * Prints TAP lines. Env: PORT, NW_ID. */
'use strict';
const { WIDE, walkFile } = require('./walk_lib');

walkFile('analyst@northwind.example', WIDE, `/t/${process.env.NW_ID}`, ['nav']);
