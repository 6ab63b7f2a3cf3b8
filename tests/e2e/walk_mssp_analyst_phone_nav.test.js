#!/usr/bin/env node
/* walk_mssp_analyst_phone_nav.test.js - analyst@northwind.example walks the console by clicking only, at 390 x 844 (every section of the navigation, from its Menu, and what it leads to; walk_lib.js).
 * Prints TAP lines. Env: PORT, NW_ID. */
'use strict';
const { PHONE, walkFile } = require('./walk_lib');

walkFile('analyst@northwind.example', PHONE, `/t/${process.env.NW_ID}`, ['nav']);
