#!/usr/bin/env node
/* walk_msp_owner_phone.test.js - owner@msp1.example walks the console by clicking only, at 390 x 844 (the dashboard's drill-downs; walk_lib.js).
 * Prints TAP lines. Env: PORT, BF_ID. */
'use strict';
const { PHONE, walkFile } = require('./walk_lib');

walkFile('owner@msp1.example', PHONE, `/t/${process.env.BF_ID}`, ['dashboard']);
