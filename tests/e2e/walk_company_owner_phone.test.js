#!/usr/bin/env node
/* walk_company_owner_phone.test.js - owner@company.example walks the console by clicking only, at 390 x 844 (the dashboard's drill-downs, every section of the navigation, from its Menu, and what it leads to; walk_lib.js).
 * Prints TAP lines. Env: PORT, CO_ID. */
'use strict';
const { PHONE, walkFile } = require('./walk_lib');

walkFile('owner@company.example', PHONE, `/t/${process.env.CO_ID}`, ['dashboard', 'nav']);
