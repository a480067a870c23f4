export interface Money {
  amount: number;
  currency: 'EUR';
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

export interface Warehouse {
  id: string;
  name: string;
  quantity: number;
}

export interface InventoryRecord {
  productId: string;
  available: number;
  reserved: number;
  warehouses: Warehouse[];
  restockDate: string | null;
  updatedAt: string;
}

export interface Review {
  id: string;
  productId: string;
  userId: string;
  rating: 1 | 2 | 3 | 4 | 5;
  title: string;
  body: string;
  createdAt: string;
  helpfulVotes: number;
}

export const ORDER_STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface OrderItem {
  productId: string;
  quantity: number;
  unitPrice: Money;
}

export interface OrderHistoryEntry {
  status: OrderStatus;
  at: string;
  by: string;
  reason?: string;
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
  history: OrderHistoryEntry[];
}

export interface SeedData {
  users: User[];
  products: Product[];
  categories: Category[];
  inventory: InventoryRecord[];
  reviews: Review[];
  orders: Order[];
}
