/**
 * What the downstream services answer, as the BFFs read it. These describe other teams' APIs
 * (the sandbox implements them); client-facing shapes are each app's own DTOs.
 */

export interface Money {
  amount: number;
  currency: string;
}

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export interface User {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  displayName: string;
  avatarUrl: string;
  tier: 'standard' | 'premium';
  country: string;
  createdAt: string;
  lastLoginAt: string;
  status: 'active' | 'suspended';
  marketingOptIn: boolean;
  internalNotes: string;
  riskScore: number;
}

export interface ProductImage {
  url: string;
  alt: string;
  width: number;
  height: number;
}

export interface Product {
  id: string;
  sku: string;
  name: string;
  description: string;
  category: string;
  brand: string;
  price: Money;
  images: ProductImage[];
  thumbnailUrl: string;
  featured: boolean;
  tags: string[];
  attributes: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  costPrice: number;
  supplierId: string;
}

export interface Category {
  id: string;
  name: string;
  productCount: number;
}

export interface Inventory {
  productId: string;
  available: number;
  reserved: number;
  warehouses: { id: string; name: string; quantity: number }[];
  restockDate: string | null;
  updatedAt: string;
}

export interface ReviewSummary {
  productId: string;
  averageRating: number;
  count: number;
  distribution: Record<'1' | '2' | '3' | '4' | '5', number>;
}

export const ORDER_STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface OrderItem {
  productId: string;
  quantity: number;
  unitPrice: Money;
}

export interface Order {
  id: string;
  userId: string;
  status: OrderStatus;
  items: OrderItem[];
  total: Money;
  shippingAddress: {
    name: string;
    line1: string;
    city: string;
    postalCode: string;
    country: string;
  };
  createdAt: string;
  updatedAt: string;
  paymentRef: string;
  fraudScore: number;
  history: { status: OrderStatus; at: string; by: string }[];
}

export interface OrderStats {
  count: number;
  totalSpent: Money;
  lastOrderAt: string | null;
}

export type OrderStatsByUser = Record<string, OrderStats>;

export interface Items<T> {
  items: T[];
}
