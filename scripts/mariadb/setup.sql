-- Schema and users of the throwaway MariaDB used by fixtures and live tests.
-- Run once as root over the unix socket right after the first start (scripts/mariadb/server.sh, test/support/mariadb.ts).
-- Real authentication: no --skip-grant-tables. The user app/secret uses mysql_native_password.

SET NAMES utf8mb4;

-- Anonymous users (if any) would shadow app@localhost; drop them.
DELETE FROM mysql.global_priv WHERE User = '';
FLUSH PRIVILEGES;

CREATE USER IF NOT EXISTS 'app'@'%' IDENTIFIED VIA mysql_native_password USING PASSWORD('secret');
CREATE USER IF NOT EXISTS 'app'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('secret');
CREATE USER IF NOT EXISTS 'other'@'%' IDENTIFIED VIA mysql_native_password USING PASSWORD('other-pw');
CREATE USER IF NOT EXISTS 'other'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('other-pw');

CREATE DATABASE IF NOT EXISTS shop CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS inventory CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
GRANT ALL PRIVILEGES ON shop.* TO 'app'@'%', 'app'@'localhost';
GRANT ALL PRIVILEGES ON inventory.* TO 'app'@'%', 'app'@'localhost';
GRANT SELECT ON shop.* TO 'other'@'%', 'other'@'localhost';
-- A wildcard grant so that logging in to a missing `scratch_...` schema gives ERR 1049 (unknown database)
-- rather than 1044 (access denied to database).
GRANT ALL PRIVILEGES ON `scratch\_%`.* TO 'app'@'%', 'app'@'localhost';

USE shop;
CREATE TABLE IF NOT EXISTS customers (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  city VARCHAR(100) NULL,
  email VARCHAR(200) NULL,
  created DATETIME NOT NULL DEFAULT '2024-01-01 00:00:00'
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO customers (name, city, email) VALUES
  ('Anna Müller', 'Zürich', 'anna@example.ch'),
  ('山田太郎', '東京', NULL),
  ('Zoë 🙂', NULL, 'zoe@example.org'),
  ('Bob', 'Paris', 'bob@example.fr');

CREATE TABLE IF NOT EXISTS orders (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id INT UNSIGNED NOT NULL,
  item VARCHAR(100) NOT NULL,
  qty INT NOT NULL,
  price DECIMAL(10,2) NULL,
  note TEXT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO orders (customer_id, item, qty, price, note) VALUES
  (1, 'Käse', 2, 12.50, 'fondue'),
  (2, 'お茶', 1, 8.00, NULL),
  (3, 'Croissant 🥐', 6, NULL, 'petit-déjeuner'),
  (1, 'Schokolade', 3, 4.20, NULL);

DROP PROCEDURE IF EXISTS two_sets;
DELIMITER //
CREATE PROCEDURE two_sets(IN min_qty INT)
BEGIN
  SELECT id, name, city FROM customers ORDER BY id;
  SELECT id, item, qty, price FROM orders WHERE qty >= min_qty ORDER BY id;
END //
DELIMITER ;

USE inventory;
CREATE TABLE IF NOT EXISTS stock (
  sku VARCHAR(20) NOT NULL PRIMARY KEY,
  label VARCHAR(100) NOT NULL,
  amount INT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO stock VALUES ('A-1', 'Schrauben', 500), ('B-2', 'Muttern', NULL), ('C-3', 'Dübel ø8', 42);
